"""A plugin with a misspelled hook (register_kpi) beside a valid one."""

from boardpack import Section, hookimpl


class Faute(Section):
    name = "section_de_faute"
    title = {"fr": "Faute", "en": "Typo"}
    template = "sections/kpi_tiles.html"

    def context(self, pack):
        return {}


@hookimpl
def register_kpi():
    return []


@hookimpl
def register_sections():
    return [Faute()]
