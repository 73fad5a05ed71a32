//! A sliding-window sum, for "success over the last N steps (episodes)" criteria.

/// The sum of the last `N` values pushed (each a `u8`: an optimal-action flag, an episode
/// return of at most 255), in `N` bytes. The sum is a `u64`, so no `N` that fits in memory
/// can overflow it (a `u32` would at `N ≥ 16,843,010`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovingSum<const N: usize> {
    values: [u8; N],
    next: usize,
    len: usize,
    sum: u64,
}

impl<const N: usize> Default for MovingSum<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> MovingSum<N> {
    /// An empty window.
    pub const fn new() -> Self {
        Self {
            values: [0; N],
            next: 0,
            len: 0,
            sum: 0,
        }
    }

    /// Pushes a value, dropping the oldest once `N` are held.
    pub fn push(&mut self, value: u8) {
        let Some(slot) = self.values.get_mut(self.next) else {
            return; // N = 0: nothing is ever held.
        };
        if self.len == N {
            self.sum -= u64::from(*slot);
        } else {
            self.len += 1;
        }
        *slot = value;
        self.sum += u64::from(value);
        self.next = if self.next + 1 == N { 0 } else { self.next + 1 };
    }

    /// The sum of the values held.
    pub fn sum(&self) -> u64 {
        self.sum
    }

    /// `true` once `N` values have been pushed.
    pub fn is_full(&self) -> bool {
        self.len == N
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10, item 9: `MovingSum`'s sum was a `u32`, which 255 × 16,843,010 overflows (a panic
    /// with overflow checks, as in this test profile; a wrong sum without).
    #[test]
    fn the_window_sum_does_not_overflow_for_large_windows() {
        const N: usize = 16_843_010;
        let run = || {
            let mut window = MovingSum::<N>::new();
            for _ in 0..N {
                window.push(255);
            }
            assert!(window.is_full());
            assert_eq!(window.sum(), 255 * N as u64);
            assert!(window.sum() > u64::from(u32::MAX));
            window.push(0);
            assert_eq!(window.sum(), 255 * (N as u64 - 1));
        };
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn the_window_holds_the_last_n_values() {
        let mut window = MovingSum::<3>::new();
        for (value, sum, full) in [(1, 1, false), (2, 3, false), (3, 6, true), (4, 9, true)] {
            window.push(value);
            assert_eq!((window.sum(), window.is_full()), (sum, full));
        }
        let mut empty = MovingSum::<0>::new();
        empty.push(9);
        assert_eq!(empty.sum(), 0);
    }
}
