"""disclosure"""
