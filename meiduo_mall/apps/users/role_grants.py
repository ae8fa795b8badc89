"""The operator roles' rights as migrations write them (users/migrations 0003 onwards).

Each migration lists its grants itself, so the groups come out the same whatever the models look like later;
these functions only do the writing, on the historical models the migration passes.
"""

from django.contrib.auth.management import create_permissions


def make_permissions(apps, alias):
    """The permissions of every model now, not after the last migration.

    On a fresh database post_migrate makes them only once every migration has run. create_permissions skips an
    app without models_module, which historical apps lack; the live apps (as the test database's setup passes
    them) keep theirs."""
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
        app_config.models_module = models_module


def permissions_named(apps, alias, grants):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.using(alias).get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in grants
    ]


def grant(apps, schema_editor, roles):
    """Add {role name: [(app_label, codename)]} to the roles' groups, making a group that is missing."""
    alias = schema_editor.connection.alias
    make_permissions(apps, alias)
    Group = apps.get_model("auth", "Group")
    for name, grants in roles.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        group.permissions.add(*permissions_named(apps, alias, grants))


def revoke(apps, schema_editor, roles):
    """Take {role name: [(app_label, codename)]} back from the roles' groups that still exist."""
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in roles.items():
        group = Group.objects.using(alias).filter(name=name).first()
        if group is None:
            continue
        for app_label in {app_label for app_label, _ in grants}:
            codenames = [codename for label, codename in grants if label == app_label]
            group.permissions.remove(
                *Permission.objects.using(alias).filter(content_type__app_label=app_label, codename__in=codenames)
            )
