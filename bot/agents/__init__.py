"""The seller's agents: roster look-ups and removal, CRM arguments, store profiles, quality scores
and spreadsheets.
"""
