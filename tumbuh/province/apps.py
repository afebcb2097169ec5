from django.apps import AppConfig


class ProvinceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tumbuh.province"
    verbose_name = "Provinsi"
