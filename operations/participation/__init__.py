"""Concertation, communication, network and capitalisation (issue 11): the concertation plan and its events
(attendance, contributions and their effect on the project), communication actions and financers' publicity
obligations, information letters to partners, network events and good-practice sheets."""
