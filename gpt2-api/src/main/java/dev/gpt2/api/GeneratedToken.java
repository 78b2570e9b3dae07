package dev.gpt2.api;

/**
 * One step of a streamed generation.
 *
 * @param index the position among the generated tokens, from 0
 * @param id    the token id
 * @param text  the text that became final with this token: empty while a character's UTF-8 bytes are incomplete or
 *              while the text could still be the start of a stop string; the pieces joined give the result's text
 */
public record GeneratedToken(int index, int id, String text) {
}
