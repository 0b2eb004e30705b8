"""Governance (issue 8): bodies, meetings and decisions, arbitrations decided by the élu référent, and the alerts
engine with its notifications, weekly digest and calendar feed.

It sits **above** every app (decision 0015): an arbitration links operations, subsidy requests and contracts and
applies its chosen option through their services; alerts are collected from each app's selectors."""
