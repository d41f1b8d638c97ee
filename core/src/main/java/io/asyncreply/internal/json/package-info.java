/**
 * Internal, not API: a strict JSON reader, so that core can validate JSON payloads without a
 * library (and asyncreply's own web module can inline JSON results). It may change or go away in
 * any release; it is left out of the javadoc. Use a JSON library of your own.
 */
package io.asyncreply.internal.json;
