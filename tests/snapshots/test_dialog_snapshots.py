"""80x24 snapshots of the generic dialogs (error, question, mandatory reason)."""
from screens.dialogs import ConfirmDialog, ErrorDialog, ReasonDialog

SIZE = (80, 24)


def _push(dialog):
    async def run(pilot):
        pilot.app.push_screen(dialog)
        await pilot.pause()

    return run


def test_error_dialog(snap_compare, make_app):
    dialog = ErrorDialog("La base de données est occupée par un autre poste ; réessayez dans un instant.")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_push(dialog))


def test_confirm_dialog(snap_compare, make_app):
    dialog = ConfirmDialog("Êtes-vous certain de vouloir traiter manuellement la facture N° 203 ?")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_push(dialog))


def test_reason_dialog(snap_compare, make_app):
    dialog = ReasonDialog("Motif du traitement manuel de la facture N° 203 :")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_push(dialog))
