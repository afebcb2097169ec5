"""The sync API of the offline entry page (JSON, for the phone): see docs/offline.md."""

app_name = "offline"
urlpatterns: list = []
