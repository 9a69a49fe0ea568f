"""Pure-Python rules of the product. Imports nothing from Flask, SQLAlchemy,
requests or pylti1p3, so it is easy to test and benchmark."""
