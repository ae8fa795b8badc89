import sys


def pytest_terminal_summary(terminalreporter):
    fuzz = sys.modules.get("tests.fuzz.test_api_fuzz")
    if fuzz is not None and fuzz.ANSWERS:
        by_status = ", ".join(f"{status}: {count}" for status, count in sorted(fuzz.ANSWERS.items()))
        terminalreporter.write_line(f"fuzz: {sum(fuzz.ANSWERS.values())} requests answered ({by_status})")
