#include "core/sampling/sobol_sampler.h"

#include "core/sampling/unit_mapping.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace ps {

namespace {

// Joe & Kuo's direction numbers, file new-joe-kuo-6.21201 (S. Joe and F. Y. Kuo, "Constructing
// Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30, 2008;
// https://web.maths.unsw.edu.au/~fkuo/sobol/), rows d = 2..40 as {s, a, m_1..m_s}. Data only,
// cross-checked against several public copies of that file; dimension 1 (van der Corput) needs
// no row.
struct JoeKuoRow {
    unsigned s;
    unsigned a;
    std::array<std::uint32_t, 8> m;
};

constexpr std::array<JoeKuoRow, SobolSampler::kMaxDimensions - 1> kJoeKuo = {{
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},
}};

} // namespace

SobolSampler::SobolSampler(std::uint64_t seed, bool scramble) {
    m_directions.resize(kMaxDimensions);
    m_shifts.assign(kMaxDimensions, 0);
    // Dimension 1: van der Corput, v_k = 2^-(k+1).
    for (unsigned k = 0; k < 32; ++k)
        m_directions[0][k] = 1u << (31 - k);
    // Others: the first s numbers from the table, the rest by the recurrence of the primitive
    // polynomial x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 (Joe & Kuo's notes, eq. 2), with
    // v_k = m_k / 2^k stored left-aligned in 32 bits.
    for (std::size_t d = 1; d < kMaxDimensions; ++d) {
        const JoeKuoRow& row = kJoeKuo[d - 1];
        Directions& v = m_directions[d];
        for (unsigned k = 0; k < 32; ++k) {
            if (k < row.s) {
                v[k] = row.m[k] << (31 - k);
                continue;
            }
            std::uint32_t x = v[k - row.s] ^ (v[k - row.s] >> row.s);
            for (unsigned i = 1; i < row.s; ++i) {
                if ((row.a >> (row.s - 1 - i)) & 1u)
                    x ^= v[k - i];
            }
            v[k] = x;
        }
    }
    if (!scramble)
        return;
    // Linear matrix scramble (Matousek 1998) plus digital shift, as scipy's Sobol does: digit i
    // of the output becomes digit i XOR a random combination of the more significant digits
    // (a random non-singular lower-triangular matrix L over GF(2)), then XOR a random shift.
    // Applying L to every direction number is the same as applying it to every point, since
    // the map is linear. Both preserve the net's balance; not Owen's full nested scramble.
    for (std::size_t d = 0; d < kMaxDimensions; ++d) {
        std::uint64_t state = mixSeed(seed ^ mixSeed(0x50b01ULL + d));
        auto next = [&state] {
            state = mixSeed(state);
            return state;
        };
        std::array<std::uint32_t, 32> rows{}; // row i: the digits (bits) that feed output digit i
        for (unsigned i = 0; i < 32; ++i) {
            const std::uint32_t above = i == 0 ? 0u : ~0u << (32 - i); // digits 0..i-1
            rows[i] = (1u << (31 - i)) | (static_cast<std::uint32_t>(next()) & above);
        }
        for (auto& v : m_directions[d]) {
            std::uint32_t y = 0;
            for (unsigned i = 0; i < 32; ++i) {
                if (std::popcount(rows[i] & v) & 1)
                    y |= 1u << (31 - i);
            }
            v = y;
        }
        m_shifts[d] = static_cast<std::uint32_t>(next() >> 32);
    }
}

SamplerInfo SobolSampler::info() {
    SettingSpec scramble;
    scramble.path = "scramble";
    scramble.type = SettingType::Bool;
    scramble.defaultValue = true;
    scramble.help = "randomize the sequence (linear matrix scramble and digital shift, seeded); "
                    "unscrambled, trial 0 is the lowest corner of the space";
    return {"sobol",
            "scrambled Sobol' sequence: a low-discrepancy design, best used for 2^m trials",
            {scramble},
            [](const SamplerConfig& c) {
                return std::make_unique<SobolSampler>(c.seed, c.options.value("scramble", true));
            }};
}

std::vector<double> SobolSampler::unitPoint(std::uint64_t index, std::size_t dims) const {
    if (dims > kMaxDimensions)
        throw std::invalid_argument("the Sobol sampler supports at most " +
                                    std::to_string(kMaxDimensions) + " parameters, not " +
                                    std::to_string(dims));
    // Gray-code order (Antonov & Saleev), as scipy and Joe & Kuo's code: the same set of points
    // for every prefix of 2^m, and point 0 is the origin before scrambling.
    const std::uint64_t gray = index ^ (index >> 1);
    if (gray >> 32)
        throw std::invalid_argument("Sobol index beyond 2^32");
    std::vector<double> u(dims);
    for (std::size_t d = 0; d < dims; ++d) {
        std::uint32_t x = m_shifts[d];
        for (unsigned k = 0; k < 32; ++k) {
            if ((gray >> k) & 1u)
                x ^= m_directions[d][k];
        }
        u[d] = std::ldexp(static_cast<double>(x), -32); // in [0,1): exact in a double
    }
    return u;
}

Json SobolSampler::sample(const SearchSpace& space, const std::vector<Trial>&, int number) {
    if (number < 0)
        throw std::invalid_argument("negative trial number");
    return paramsFromUnitPoint(space,
                               unitPoint(static_cast<std::uint64_t>(number), space.params.size()));
}

} // namespace ps
