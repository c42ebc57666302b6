"""Marquee's hand-written server code: the shared core and one package per service.

Generated contract code lives apart, in the `marquee` package (clients/python).
"""
