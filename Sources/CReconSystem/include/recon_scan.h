#ifndef RECON_SCAN_H
#define RECON_SCAN_H

#include <stdint.h>

/* Byte-class search for the CSV scanner, in C because Swift's SIMD compares are lowered one lane at a time (measured:
   ten times slower than the eight-byte search they were meant to replace), while SSE2's compare and movemask do
   sixteen bytes in two instructions. SSE2 is part of every x86-64; elsewhere a plain loop the compiler vectorizes. */

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The plain loop: what `recon_stop_bits` is without SSE2 (compiled everywhere, so x86-64 tests hold the two equal). */
static inline uint64_t recon_stop_bits_portable(const void *block, uint8_t delimiter) {
    const unsigned char *bytes = (const unsigned char *)block;
    uint64_t bits = 0;
    for (int index = 0; index < 64; index++) {
        const unsigned char byte = bytes[index];
        bits |= (uint64_t)(byte == delimiter || byte == 0x0A || byte == 0x0D || byte == 0) << index;
    }
    return bits;
}

/* Bit i is set when byte i of the 64 at `block` is `delimiter`, LF, CR or NUL: the bytes that end an unquoted field.
   All 64 bytes must be readable. */
static inline uint64_t recon_stop_bits(const void *block, uint8_t delimiter) {
#if defined(__SSE2__)
    const unsigned char *bytes = (const unsigned char *)block;
    const __m128i separator = _mm_set1_epi8((char)delimiter);
    const __m128i lineFeed = _mm_set1_epi8(0x0A);
    const __m128i carriageReturn = _mm_set1_epi8(0x0D);
    const __m128i zero = _mm_setzero_si128();
    uint64_t bits = 0;
    for (int part = 0; part < 4; part++) {
        const __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + 16 * part));
        const __m128i stops = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, separator), _mm_cmpeq_epi8(chunk, lineFeed)),
            _mm_or_si128(_mm_cmpeq_epi8(chunk, carriageReturn), _mm_cmpeq_epi8(chunk, zero)));
        bits |= (uint64_t)(uint16_t)_mm_movemask_epi8(stops) << (16 * part);
    }
    return bits;
#else
    return recon_stop_bits_portable(block, delimiter);
#endif
}

#endif
