from django.apps import AppConfig


class TppConfig(AppConfig):
    name = "ekinerja.tpp"
    label = "tpp"
    verbose_name = "TPP"
