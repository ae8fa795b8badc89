from django.conf import settings


class PrimaryReplicaRouter:
    """Reads go to the `replica` alias when one is configured; writes always to the primary.

    Code that must read what it just wrote (order placement, stock) uses
    `.using("default")` or runs inside a transaction on the primary.
    """

    def db_for_read(self, model, **hints):
        return "replica" if "replica" in settings.DATABASES else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
