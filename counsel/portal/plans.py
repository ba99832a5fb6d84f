"""The client's plans records on their work page. (Being built.)"""
