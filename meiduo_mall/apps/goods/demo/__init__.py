"""The demo catalog of `manage.py seed_demo`: its data, the pictures drawn for it and the code that writes both."""
