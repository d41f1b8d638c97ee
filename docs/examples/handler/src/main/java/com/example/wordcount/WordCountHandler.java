package com.example.wordcount;

import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code POST /tasks/wordcount} with a UTF-8 text: counts its words and lines, and answers
 * {@code {"words": N, "lines": N}}.
 *
 * <p>What it shows: a type name; {@link #validate} refusing bad input before a task is queued
 * (the client gets 400 with the message); a retry policy; progress; stopping when cancelled; and a
 * JSON result with {@link TaskResult#json}. One instance serves all worker threads: no mutable
 * fields.
 */
public final class WordCountHandler implements TaskHandler {

    /** Texts are counted in slices of this many characters, with a progress report and a cancel check after each. */
    private static final int SLICE = 64 * 1024;

    @Override
    public String type() {
        return "wordcount";
    }

    /** Refuses, before the task is accepted, a payload that is empty or not UTF-8 text. */
    @Override
    public void validate(byte[] payload) throws InvalidPayloadException {
        if (payload.length == 0) {
            throw new InvalidPayloadException("the text is empty");
        }
        try {
            decode(payload);
        } catch (CharacterCodingException e) {
            throw new InvalidPayloadException("the text is not UTF-8");
        }
    }

    /** Up to 3 attempts in all: a failed one runs again after about 1 s, then 2 s (this one cannot fail; yours may). */
    @Override
    public RetryPolicy retryPolicy() {
        return RetryPolicy.exponential(3, Duration.ofSeconds(1));
    }

    @Override
    public TaskResult handle(TaskContext ctx) throws Exception {
        String text = decode(ctx.payload());
        long words = 0;
        long lines = text.isEmpty() ? 0 : 1;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && i < text.length() - 1) {
                lines++;
            }
            boolean space = Character.isWhitespace(c);
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
            if ((i + 1) % SLICE == 0) {
                if (ctx.isCancelled()) {
                    throw new InterruptedException("cancelled"); // the task ends CANCELLED whatever we do
                }
                ctx.progress((int) (100L * (i + 1) / text.length()));
            }
        }
        ctx.progress(100);
        return TaskResult.json("{\"words\":" + words + ",\"lines\":" + lines + "}");
    }

    private static String decode(byte[] payload) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
    }
}
