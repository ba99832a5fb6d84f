"""The client's journal records on their work page. (Being built.)"""
