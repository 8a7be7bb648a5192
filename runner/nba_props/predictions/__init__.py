"""Predictions: model training and loading, the quality gate, the append-only prediction history, evaluation."""
