"""80x24 snapshots of the shell and each area (deterministic: frozen clock, temp database)."""
SIZE = (80, 24)


def test_comptoir(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE)


def test_tiers_payant(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["f3"])


def test_parametres(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["f4"])


def test_help(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["f1"])


def _press_then_clear(keys):
    async def run(pilot):
        for key in keys:
            await pilot.press(key)
        pilot.app.clear_notifications()  # the "Thème : ..." toast would make the snapshot timing-dependent
        await pilot.pause()

    return run


def test_contrast_theme(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_press_then_clear(["ctrl+t", "ctrl+t", "f3"]))
