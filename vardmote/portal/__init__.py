"""The video portal (videoportalen): what it does when staff book a digital care meeting (routine
4.2.4 step 1): the meeting room on the Management API from the stack's room template, and the 1177
invitation from a neutral template, refused when the invitation checks find anything."""
