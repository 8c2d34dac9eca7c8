"""Mechanisms that several cell types share, each in one place with its switch."""
