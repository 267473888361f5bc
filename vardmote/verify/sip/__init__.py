"""The phone path of a call: the trunk's and the room's SIP ends (a TLS Kamailio in front of SIPp, and an
RTP echo) and the probe that places a call through them and counts its RTP both ways.

`python -m vardmote.verify.sip --help` starts an end or places a call; see docs/platform-runbook.md
("The operator's SIP trunk").
"""
