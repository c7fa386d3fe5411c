from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ekinerja.demo"
    label = "demo"
    verbose_name = "Data contoh"
