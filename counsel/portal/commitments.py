"""The client's commitments records on their work page. (Being built.)"""
