"""Predictions: model training and loading, the quality gate, the prediction history, evaluation."""
