from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class StaticFilesStorage(ManifestStaticFilesStorage):
    """Hashed static files that tolerate the references to missing files inside third-party CSS
    and JS (Bootstrap Italia's bundle points at source maps and images it does not ship)."""

    manifest_strict = False

    def hashed_name(self, name, content=None, filename=None):  # type: ignore[no-untyped-def]
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            return name
