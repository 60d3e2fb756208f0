"""The province data set for the benchmark suite (bench/): `build_province`."""

from ambito.demo.province.build import Report, build_province

__all__ = ["Report", "build_province"]
