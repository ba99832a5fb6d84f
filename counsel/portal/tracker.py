"""The client's tracker records on their work page. (Being built.)"""
