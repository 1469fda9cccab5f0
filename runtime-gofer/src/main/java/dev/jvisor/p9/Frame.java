package dev.jvisor.p9;

/** A decoded message with the tag that pairs a reply to its request. */
public record Frame(int tag, Message message) {}
