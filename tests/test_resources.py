"""Unit tests of ``Resources``: values, text forms, missing keys, arithmetic and errors."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from invsched.errors import InvalidQuantity, InvalidRequest
from invsched.resources import Resources, format_amount

GI = 2**30
SEED = Resources.parse({"cpu": "100", "memory": "50Gi", "nvidia.com/gpu": 16})


class TestConstruction:
    def test_parse_gives_milli_units(self) -> None:
        assert dict(SEED) == {
            "cpu": 100_000,
            "memory": 50 * GI * 1000,
            "nvidia.com/gpu": 16_000,
        }

    def test_from_milli_units_mapping_or_pairs(self) -> None:
        assert Resources({"cpu": 1500}) == Resources([("cpu", 1500)])
        assert Resources() == Resources({})
        assert len(Resources()) == 0

    def test_parse_with_fractions_and_rounding(self) -> None:
        assert dict(Resources.parse({"cpu": "1.5", "memory": "1n"})) == {"cpu": 1500, "memory": 1}

    def test_input_is_not_mutated(self) -> None:
        source = {"cpu": 1000, "memory": 2000}
        Resources(source)
        assert source == {"cpu": 1000, "memory": 2000}

    def test_is_frozen(self) -> None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            SEED.items_ = ()  # type: ignore[misc]


class TestText:
    def test_str_uses_canonical_quantities(self) -> None:
        assert str(SEED) == "cpu=100, memory=50Gi, nvidia.com/gpu=16"
        assert str(Resources({"cpu": 1500, "memory": 1536 * 2**20 * 1000})) == (
            "cpu=1500m, memory=1536Mi"
        )
        assert str(Resources({"ephemeral-storage": GI * 1000, "storage": 1024 * 1000})) == (
            "ephemeral-storage=1Gi, storage=1Ki"
        )
        assert str(Resources({"pods": -5})) == "pods=-5m"
        assert str(Resources()) == ""

    def test_repr_shows_milli_units(self) -> None:
        assert repr(SEED) == (
            "Resources({'cpu': 100000, 'memory': 53687091200000, 'nvidia.com/gpu': 16000})"
        )
        assert repr(Resources()) == "Resources({})"

    def test_to_quantities(self) -> None:
        assert SEED.to_quantities() == {"cpu": "100", "memory": "50Gi", "nvidia.com/gpu": "16"}

    def test_format_amount(self) -> None:
        assert format_amount("memory", 27 * GI * 1000) == "27Gi"
        assert format_amount("cpu", 52_000) == "52"
        assert format_amount("cpu", 1024 * 1000) == "1024"
        assert format_amount("nvidia.com/gpu", 500) == "500m"


class TestMissingKeys:
    def test_missing_reads_as_zero_but_is_absent(self) -> None:
        assert SEED["pods"] == 0
        assert "pods" not in SEED
        assert SEED.get("pods") is None
        assert SEED.get("pods", 7) == 7
        assert SEED.get("cpu") == 100_000

    def test_explicit_zero_is_present(self) -> None:
        zero = Resources({"nvidia.com/gpu": 0})
        assert "nvidia.com/gpu" in zero
        assert zero["nvidia.com/gpu"] == 0
        assert zero != Resources()
        assert zero.without_zeros() == Resources()

    def test_iteration_is_sorted(self) -> None:
        r = Resources({"nvidia.com/gpu": 1, "cpu": 2, "memory": 3, "aaa": 4})
        assert list(r) == ["aaa", "cpu", "memory", "nvidia.com/gpu"]
        assert list(r.values()) == [4, 2, 3, 1]


class TestEquality:
    def test_order_independent_and_hash_consistent(self) -> None:
        a = Resources({"cpu": 1, "memory": 2})
        b = Resources([("memory", 2), ("cpu", 1)])
        assert a == b
        assert hash(a) == hash(b)
        assert len({a, b}) == 1

    def test_equal_to_plain_mappings(self) -> None:
        assert Resources({"cpu": 1}) == {"cpu": 1}
        assert Resources({"cpu": 1}) != {"cpu": 1, "memory": 0}
        assert Resources({"cpu": 1}) != [("cpu", 1)]


class TestArithmetic:
    def test_add_takes_the_union_of_keys(self) -> None:
        total = Resources({"cpu": 1000, "memory": 5}) + Resources({"cpu": 500, "pods": 3})
        assert dict(total) == {"cpu": 1500, "memory": 5, "pods": 3}

    def test_subtract_may_go_negative(self) -> None:
        left = Resources({"cpu": 1000}) - Resources({"cpu": 1500, "pods": 1000})
        assert dict(left) == {"cpu": -500, "pods": -1000}
        assert left.negative_keys() == ("cpu", "pods")

    def test_add_a_plain_mapping(self) -> None:
        assert dict(Resources({"cpu": 1}) + {"cpu": 2}) == {"cpu": 3}

    def test_negate_and_scale(self) -> None:
        assert dict(-Resources({"cpu": 5, "pods": -2})) == {"cpu": -5, "pods": 2}
        assert dict(SEED.scaled(3)) == {
            "cpu": 300_000,
            "memory": 150 * GI * 1000,
            "nvidia.com/gpu": 48_000,
        }

    def test_union_max_and_min(self) -> None:
        a = Resources({"cpu": 5, "memory": 1})
        b = Resources({"cpu": 3, "pods": 2})
        assert dict(a.union_max(b)) == {"cpu": 5, "memory": 1, "pods": 2}
        assert dict(a.union_min(b)) == {"cpu": 3, "memory": 0, "pods": 0}
        assert dict(Resources({"cpu": -5}).union_min({})) == {"cpu": -5}

    def test_is_zero(self) -> None:
        assert Resources().is_zero()
        assert Resources({"cpu": 0}).is_zero()
        assert not Resources({"cpu": 1}).is_zero()
        assert (SEED - SEED).is_zero()


class TestFitsIn:
    def test_missing_limit_key_is_zero_by_default(self) -> None:
        request = Resources({"nvidia.com/gpu": 1000})
        assert not request.fits_in(Resources())
        assert request.fits_in(Resources(), missing_is_unlimited=True)

    def test_explicit_zero_limit_allows_nothing(self) -> None:
        request = Resources({"nvidia.com/gpu": 1})
        assert not request.fits_in(Resources({"nvidia.com/gpu": 0}), missing_is_unlimited=True)

    def test_equal_fits_and_one_more_does_not(self) -> None:
        assert SEED.fits_in(SEED)
        assert not (SEED + Resources({"cpu": 1})).fits_in(SEED)

    def test_zero_and_negative_amounts_always_fit(self) -> None:
        assert Resources({"cpu": 0, "pods": -3}).fits_in(Resources())

    def test_accepts_a_plain_mapping(self) -> None:
        assert Resources({"cpu": 1000}).fits_in({"cpu": 1000})


class TestErrors:
    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            (1.5, "cpu: invalid quantity 1.5: expected an int of milli-units, got float"),
            (True, "cpu: invalid quantity True: expected an int of milli-units, got bool"),
            ("1", "cpu: invalid quantity '1': expected an int of milli-units, got str"),
            (None, "cpu: invalid quantity None: expected an int of milli-units, got NoneType"),
        ],
    )
    def test_non_int_amounts(self, amount: object, message: str) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources({"cpu": amount})  # type: ignore[arg-type]
        assert str(caught.value) == message

    def test_duplicate_names(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources([("cpu", 1), ("cpu", 2)])
        assert str(caught.value) == "cpu: invalid quantity 2: duplicate resource name"

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("", "Resources: invalid quantity '': a resource name must be a non-empty string"),
            (3, "Resources: invalid quantity 3: a resource name must be a non-empty string"),
            ("a\nb", "Resources: invalid quantity 'a\\nb': a resource name must be printable text"),
        ],
    )
    def test_bad_names(self, name: object, message: str) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources({name: 1})  # type: ignore[arg-type]
        assert str(caught.value) == message

    def test_bad_pair(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources([("cpu",)])  # type: ignore[list-item]
        assert str(caught.value) == (
            "Resources: invalid quantity ('cpu',): expected a (name, milli-units) pair"
        )

    def test_parse_names_the_field(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources.parse({"cpu": "12x"}, field="spec.root.min")
        assert str(caught.value) == (
            "spec.root.min.cpu: invalid quantity '12x': unexpected character 'x' at position 2"
        )

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            (1.5, "cpu: invalid quantity 1.5: expected a string or an int, got float"),
            (True, "cpu: invalid quantity True: expected a string or an int, got bool"),
        ],
    )
    def test_parse_rejects_bool_and_float(self, amount: object, message: str) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources.parse({"cpu": amount})  # type: ignore[dict-item]
        assert str(caught.value) == message

    def test_parse_needs_a_mapping(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources.parse(["cpu"])  # type: ignore[arg-type]
        assert str(caught.value) == "invalid quantity ['cpu']: expected a mapping, got list"

    @pytest.mark.parametrize("factor", [1.5, True])
    def test_scale_factor_must_be_an_int(self, factor: object) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            SEED.scaled(factor)  # type: ignore[arg-type]
        assert str(caught.value) == (
            f"Resources.scaled: invalid quantity {factor!r}: a scale factor must be an int"
        )

    def test_arithmetic_with_a_float_mapping(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources({"cpu": 1}) + {"cpu": 0.5}  # type: ignore[dict-item]
        assert caught.value.reason == "expected an int of milli-units, got float"


class TestTypedErrors:
    """Bad input is an ``InvalidQuantity`` (or ``InvalidRequest`` for a flag), never a bare
    ``TypeError`` or ``AttributeError``."""

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (
                None,
                "Resources: invalid quantity None: expected a mapping of resource name to "
                "milli-units, got NoneType",
            ),
            (
                5,
                "Resources: invalid quantity 5: expected a mapping of resource name to "
                "milli-units, got int",
            ),
            (
                "cpu",
                "Resources: invalid quantity 'cpu': expected a mapping of resource name to "
                "milli-units, got str",
            ),
            (
                ["cpu"],
                "Resources: invalid quantity 'cpu': expected a (name, milli-units) pair",
            ),
        ],
    )
    def test_not_a_mapping(self, value: object, message: str) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources(value)  # type: ignore[arg-type]
        assert str(caught.value) == message

    def test_amounts_are_bounded_at_construction(self) -> None:
        largest = 10**100 - 1
        assert Resources({"cpu": largest, "pods": -largest})["pods"] == -largest
        for amount in (10**100, -(10**100)):
            with pytest.raises(InvalidQuantity) as caught:
                Resources({"cpu": amount})
            assert caught.value.reason == "exceeds the supported range of 100 digits"
            assert caught.value.field == "cpu"
        with pytest.raises(InvalidQuantity) as caught:
            Resources({"cpu": 10**5000})
        assert str(caught.value) == (
            "cpu: invalid quantity an int of about 5001 digits: exceeds the supported range "
            "of 100 digits"
        )

    def test_arithmetic_cannot_leave_the_range(self) -> None:
        top = Resources({"cpu": 10**100 - 1})
        with pytest.raises(InvalidQuantity) as caught:
            top + {"cpu": 1}
        assert (caught.value.field, caught.value.value) == ("cpu", 10**100)
        with pytest.raises(InvalidQuantity):
            top.scaled(2)
        with pytest.raises(InvalidQuantity) as caught:
            SEED.scaled(10**100)
        assert str(caught.value) == (
            "Resources.scaled: invalid quantity 1000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000…: exceeds the supported range of 100 digits"
        )
        # Nothing to multiply: any int factor is fine.
        assert Resources().scaled(10**200) == Resources()

    @pytest.mark.parametrize(
        ("operation", "message"),
        [
            (
                lambda: Resources({"cpu": 1}) + 5,  # type: ignore[operator]
                "Resources + other: invalid quantity 5: expected a mapping of resource name to "
                "milli-units, got int",
            ),
            (
                lambda: 5 + Resources({"cpu": 1}),  # type: ignore[operator]
                "other + Resources: invalid quantity 5: expected a mapping of resource name to "
                "milli-units, got int",
            ),
            (
                lambda: Resources({"cpu": 1}) - None,  # type: ignore[operator]
                "Resources - other: invalid quantity None: expected a mapping of resource name "
                "to milli-units, got NoneType",
            ),
            (
                lambda: "x" - Resources({"cpu": 1}),  # type: ignore[operator]
                "other - Resources: invalid quantity 'x': expected a mapping of resource name "
                "to milli-units, got str",
            ),
            (
                lambda: Resources({"cpu": 1}).fits_in(3),  # type: ignore[arg-type]
                "Resources.fits_in(limit): invalid quantity 3: expected a mapping of resource "
                "name to milli-units, got int",
            ),
            (
                lambda: Resources({"cpu": 1}).union_max(["cpu"]),  # type: ignore[arg-type]
                "Resources.union_max(other): invalid quantity ['cpu']: expected a mapping of "
                "resource name to milli-units, got list",
            ),
            (
                lambda: Resources({"cpu": 1}).union_min({"cpu": "1"}),  # type: ignore[dict-item]
                "cpu: invalid quantity '1': expected an int of milli-units, got str",
            ),
        ],
    )
    def test_operands_must_be_mappings_of_ints(
        self, operation: Callable[[], object], message: str
    ) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            operation()
        assert str(caught.value) == message

    def test_a_mapping_on_the_left_gives_resources(self) -> None:
        right = Resources({"cpu": 1000})
        assert {"cpu": 500, "gpu": 1} + right == Resources({"cpu": 1500, "gpu": 1})
        assert {"cpu": 500} - right == Resources({"cpu": -500})

    def test_fits_in_flag_is_a_bool(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            SEED.fits_in(SEED, missing_is_unlimited=1)  # type: ignore[arg-type]
        assert str(caught.value) == "missing_is_unlimited: expected a bool, got 1"

    @pytest.mark.parametrize("name", ["a\nb", "\x00", "\ud800"])
    def test_names_are_printable(self, name: str) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources({name: 1})
        assert caught.value.reason == "a resource name must be printable text"

    def test_a_long_name_is_cut_in_the_field(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources({"r" * 5000: 1.5})  # type: ignore[arg-type]
        assert caught.value.field == "r" * 80 + "…"

    def test_parse_field_must_be_a_string(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            Resources.parse({"cpu": 1}, field=3)  # type: ignore[arg-type]
        assert str(caught.value) == "field: invalid quantity 3: the field path must be a string"
