#pragma once
// A batch of trials that is shared rather than copied. Each trial is held once, immutable,
// behind a shared pointer; a list is one pointer to the vector of them. So a batch of 100,000
// trials passes through a queued signal, and into every view that keeps the trials it shows,
// without copying a single Trial (each one holds its parameters as JSON, about 1.5 KB): the
// explorer keeps one copy of a study's trials however many views are open. Reads like a
// const std::vector<Trial>. Plain C++; a list may be read from several threads, as nothing in
// it ever changes.

#include "core/study/trial.h"

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <vector>

namespace ps {

using TrialPtr = std::shared_ptr<const Trial>;

class TrialList {
public:
    // Iterates the trials as `const Trial&`.
    class const_iterator {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = Trial;
        using difference_type = std::ptrdiff_t;
        using pointer = const Trial*;
        using reference = const Trial&;
        const_iterator() = default;
        explicit const_iterator(std::vector<TrialPtr>::const_iterator it) : m_it(it) {}
        reference operator*() const { return **m_it; }
        pointer operator->() const { return m_it->get(); }
        reference operator[](difference_type n) const { return *m_it[n]; }
        const_iterator& operator++() {
            ++m_it;
            return *this;
        }
        const_iterator operator++(int) { return const_iterator(m_it++); }
        const_iterator& operator--() {
            --m_it;
            return *this;
        }
        const_iterator operator--(int) { return const_iterator(m_it--); }
        const_iterator& operator+=(difference_type n) {
            m_it += n;
            return *this;
        }
        const_iterator& operator-=(difference_type n) {
            m_it -= n;
            return *this;
        }
        friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
        friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
        friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
            return a.m_it - b.m_it;
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) {
            return a.m_it == b.m_it;
        }
        friend bool operator!=(const const_iterator& a, const const_iterator& b) {
            return a.m_it != b.m_it;
        }
        friend bool operator<(const const_iterator& a, const const_iterator& b) {
            return a.m_it < b.m_it;
        }
        // the shared trial itself, to keep it without copying it
        const TrialPtr& ptr() const { return *m_it; }

    private:
        std::vector<TrialPtr>::const_iterator m_it;
    };
    using iterator = const_iterator;
    using value_type = Trial;
    using size_type = std::size_t;

    TrialList() = default;
    // Plain trials, each moved into a shared one: for callers (and tests) that build trials by
    // hand. Implicit, so that such a vector passes wherever a list is taken.
    TrialList(std::vector<Trial> trials) { // NOLINT(google-explicit-constructor)
        std::vector<TrialPtr> shared;
        shared.reserve(trials.size());
        for (auto& t : trials)
            shared.push_back(std::make_shared<const Trial>(std::move(t)));
        m_trials = std::make_shared<const std::vector<TrialPtr>>(std::move(shared));
    }
    TrialList(std::initializer_list<Trial> trials) : TrialList(std::vector<Trial>(trials)) {}
    // Trials shared already (a view handing on what it keeps); none may be null.
    explicit TrialList(std::vector<TrialPtr> trials)
        : m_trials(std::make_shared<const std::vector<TrialPtr>>(std::move(trials))) {}

    std::size_t size() const { return m_trials ? m_trials->size() : 0; }
    bool empty() const { return size() == 0; }
    const Trial& operator[](std::size_t i) const { return *(*m_trials)[i]; }
    const Trial& front() const { return *m_trials->front(); }
    const Trial& back() const { return *m_trials->back(); }
    const_iterator begin() const { return const_iterator(pointers().begin()); }
    const_iterator end() const { return const_iterator(pointers().end()); }
    // The shared trial at i, to keep it without copying it.
    const TrialPtr& ptr(std::size_t i) const { return (*m_trials)[i]; }
    const std::vector<TrialPtr>& pointers() const {
        static const std::vector<TrialPtr> none;
        return m_trials ? *m_trials : none;
    }
    // Copies of the trials, for code that needs them as plain values.
    std::vector<Trial> toVector() const {
        std::vector<Trial> out;
        out.reserve(size());
        for (const Trial& t : *this)
            out.push_back(t);
        return out;
    }

private:
    std::shared_ptr<const std::vector<TrialPtr>> m_trials;
};

} // namespace ps
