"""The SESAM-Vitale engine port (port.py, types.py, errors.py) and the demo engine (demo/).

Services depend on :class:`core.engine.port.SesamVitaleEngine` only; the app factory chooses the
implementation (``core.engine.demo.build_demo_engine(clock)`` = "Flux de Démonstration").
"""
