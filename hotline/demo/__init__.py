"""Demo data for `make run` (`python manage.py seed_demo`). It sits at the top of the layer order: the one
place allowed to import every app, so no domain app has to import upwards to fill the demo."""
