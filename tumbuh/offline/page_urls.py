"""The offline entry page, its service worker, its manifest and the WHO tables it caches."""

app_name = "luring"
urlpatterns: list = []
