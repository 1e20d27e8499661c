"""Path converters for WordPress permalinks: /YYYY/MM/DD/<slug>/."""


from django.urls import register_converter


class FourDigitYear:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


class TwoDigit:
    regex = r"[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):02d}"


# Registered on import, for every URLconf that uses <yyyy:year> and <dd:month>.
register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigit, "dd")
