"""A processed-data version id printed in a report's provenance is not a phone number."""

import pytest

from analysis.data.pii import find_phones


@pytest.mark.parametrize("text", ["Dataversion 000001-936292e1adbb", "000002-123456abcdef"])
def test_version_ids_are_not_phone_numbers(text):
    assert find_phones(text) == []


@pytest.mark.parametrize("number", ["+46 70 123 45 67", "0046 70 123 45 67", "070-123 45 67"])
def test_real_numbers_still_found(number):
    assert [v for v, *_ in find_phones(f"Ring {number}.")] == [number]
