"""The demo shop of `manage.py seed_demo`: its catalog data and the pictures drawn for it."""
