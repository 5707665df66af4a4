"""Products, promotions and stock: parsing and rendering them, sending previews and notices, and
product launches.
"""
