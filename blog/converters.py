"""Path converters for WordPress permalinks: /YYYY/MM/DD/<slug>/."""


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
