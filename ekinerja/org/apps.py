from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ekinerja.org"
    label = "org"
    verbose_name = "Organisasi dan Pegawai"
