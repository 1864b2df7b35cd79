"""Proofs over a rulebook's whole fact space, and generated scenarios for parity tests."""
