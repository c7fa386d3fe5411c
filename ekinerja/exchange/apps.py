from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "ekinerja.exchange"
    label = "exchange"
    verbose_name = "Pertukaran data (ekinerja/1)"
