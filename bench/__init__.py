"""Benchmarks, and the scale data set they run against (bench/scale_data/).

A package so that `manage.py generate_scale_data`, the one entry point from the
app, imports the generator from here; the app itself never imports bench.
"""
