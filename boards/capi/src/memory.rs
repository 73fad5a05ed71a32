//! Turning the C caller's pointers into Rust references, with every check that can be made:
//! null, alignment, a length whose byte size cannot be addressed, and overlap between a buffer
//! the call writes and any other buffer of the same call (two references to the same memory, one
//! of them mutable, would be undefined behaviour in Rust however the C caller meant it).
//!
//! What cannot be checked is stated once, here, and repeated in every function's `# Safety`:
//! a non-null pointer must point to memory that is valid for reads (and, for outputs, writes)
//! of the length given, and that nothing else (an interrupt handler, another thread) touches
//! during the call.

use core::mem::{align_of, size_of};
use core::slice;

use crate::scalar::CScalar;
use crate::status::gumbel_status::{self, *};

/// Runs the body of a C function with a fresh [`Borrows`] and returns its status.
pub(crate) fn call(body: impl FnOnce(&mut Borrows) -> Result<(), gumbel_status>) -> gumbel_status {
    match body(&mut Borrows::new()) {
        Ok(()) => gumbel_status::GUMBEL_OK,
        Err(status) => status,
    }
}

/// The most buffers one call takes.
const MAX_BUFFERS: usize = 6;

/// One buffer of a call: its byte range and whether the call writes it.
#[derive(Clone, Copy)]
struct Range {
    start: usize,
    end: usize,
    written: bool,
}

/// The buffers one call has borrowed so far; a new one may not overlap a written one, nor be
/// written if it overlaps any.
pub(crate) struct Borrows {
    ranges: [Range; MAX_BUFFERS],
    len: usize,
}

impl Borrows {
    pub(crate) const fn new() -> Self {
        Self {
            ranges: [Range {
                start: 0,
                end: 0,
                written: false,
            }; MAX_BUFFERS],
            len: 0,
        }
    }

    /// Checks `len` values of `T` at `ptr` and records their range, without making a
    /// reference (the caller makes its own, of the type the memory holds). A zero length is
    /// always accepted (any pointer, null included) and records nothing; returns whether
    /// something was recorded.
    pub(crate) fn claim<T>(
        &mut self,
        ptr: *const T,
        len: usize,
        written: bool,
    ) -> Result<bool, gumbel_status> {
        if len == 0 {
            return Ok(false);
        }
        if ptr.is_null() {
            return Err(GUMBEL_ERR_NULL_POINTER);
        }
        if !ptr.is_aligned() {
            return Err(GUMBEL_ERR_MISALIGNED);
        }
        let start = ptr as usize;
        let end = len
            .checked_mul(size_of::<T>())
            .filter(|&bytes| bytes <= isize::MAX as usize)
            .and_then(|bytes| start.checked_add(bytes))
            .ok_or(GUMBEL_ERR_INVALID_BUFFER)?;
        let new = Range {
            start,
            end,
            written,
        };
        let taken = self.ranges.get(..self.len).unwrap_or(&[]);
        if taken
            .iter()
            .any(|r| (r.written || written) && r.start < end && start < r.end)
        {
            return Err(GUMBEL_ERR_OVERLAP);
        }
        let slot = self
            .ranges
            .get_mut(self.len)
            .ok_or(GUMBEL_ERR_INVALID_BUFFER)?;
        *slot = new;
        self.len += 1;
        Ok(true)
    }

    /// `len` values read from `ptr`.
    ///
    /// # Safety
    /// If `len > 0` and `ptr` is not null, `ptr` must be valid for reads of `len` values of `T`
    /// for the rest of the call, and not be written by anything else meanwhile.
    pub(crate) unsafe fn slice<'a, T>(
        &mut self,
        ptr: *const T,
        len: usize,
    ) -> Result<&'a [T], gumbel_status> {
        if !self.claim(ptr, len, false)? {
            return Ok(&[]);
        }
        // SAFETY: `claim` checked that `ptr` is non-null and aligned, that `len` values span
        // at most `isize::MAX` bytes without wrapping, and that no buffer this call writes
        // overlaps them; validity for reads is the caller's precondition.
        Ok(unsafe { slice::from_raw_parts(ptr, len) })
    }

    /// `len` values the call writes at `ptr` (and may read first).
    ///
    /// # Safety
    /// If `len > 0` and `ptr` is not null, `ptr` must be valid for reads and writes of `len`
    /// values of `T` for the rest of the call, and not be accessed by anything else meanwhile.
    pub(crate) unsafe fn slice_mut<'a, T>(
        &mut self,
        ptr: *mut T,
        len: usize,
    ) -> Result<&'a mut [T], gumbel_status> {
        if !self.claim(ptr, len, true)? {
            return Ok(&mut []);
        }
        // SAFETY: as in `slice`, and `claim` checked that this range overlaps no other buffer
        // of the call, so this is the only reference to it.
        Ok(unsafe { slice::from_raw_parts_mut(ptr, len) })
    }

    /// One value the call writes (an output parameter); null is an error.
    ///
    /// # Safety
    /// If not null, `ptr` must be valid for reads and writes of one `T` for the rest of the
    /// call, and not be accessed by anything else meanwhile.
    pub(crate) unsafe fn out<'a, T>(&mut self, ptr: *mut T) -> Result<&'a mut T, gumbel_status> {
        if ptr.is_null() {
            return Err(GUMBEL_ERR_NULL_POINTER);
        }
        // SAFETY: forwarded precondition; `ptr` is not null, so the slice has one element.
        let one = unsafe { self.slice_mut(ptr, 1) }?;
        one.first_mut().ok_or(GUMBEL_ERR_NULL_POINTER)
    }

    /// An optional output parameter: null means the caller does not want it.
    ///
    /// # Safety
    /// As [`out`](Self::out).
    pub(crate) unsafe fn out_optional<'a, T>(
        &mut self,
        ptr: *mut T,
    ) -> Result<Option<&'a mut T>, gumbel_status> {
        if ptr.is_null() {
            return Ok(None);
        }
        // SAFETY: forwarded precondition.
        unsafe { self.out(ptr) }.map(Some)
    }

    /// One value the call reads (an input parameter); null is an error.
    ///
    /// # Safety
    /// If not null, `ptr` must be valid for reads of one `T` for the rest of the call.
    pub(crate) unsafe fn one<'a, T>(&mut self, ptr: *const T) -> Result<&'a T, gumbel_status> {
        if ptr.is_null() {
            return Err(GUMBEL_ERR_NULL_POINTER);
        }
        // SAFETY: forwarded precondition; `ptr` is not null, so the slice has one element.
        let one = unsafe { self.slice(ptr, 1) }?;
        one.first().ok_or(GUMBEL_ERR_NULL_POINTER)
    }

    /// `len` C scalars at `ptr`, read as the library's scalar type.
    ///
    /// # Safety
    /// As [`slice`](Self::slice).
    pub(crate) unsafe fn scalars<'a, C: CScalar>(
        &mut self,
        ptr: *const C,
        len: usize,
    ) -> Result<&'a [C::S], gumbel_status> {
        let () = C::SAME_LAYOUT;
        // SAFETY: forwarded precondition. `C::S` has the size and alignment of `C` (checked at
        // compile time by `SAME_LAYOUT`) and every bit pattern of `C` is a valid `C::S` (the
        // contract of `CScalar`), so memory valid for `len` values of `C` is valid for `len`
        // values of `C::S`.
        unsafe { self.slice(ptr.cast::<C::S>(), len) }
    }

    /// `len` C scalars the call writes at `ptr`, as the library's scalar type.
    ///
    /// # Safety
    /// As [`slice_mut`](Self::slice_mut).
    pub(crate) unsafe fn scalars_mut<'a, C: CScalar>(
        &mut self,
        ptr: *mut C,
        len: usize,
    ) -> Result<&'a mut [C::S], gumbel_status> {
        let () = C::SAME_LAYOUT;
        // SAFETY: as in `scalars`; in addition every value of `C::S` is a valid `C`, so the
        // caller reads back valid C values.
        unsafe { self.slice_mut(ptr.cast::<C::S>(), len) }
    }

    /// An optional mask of `len` C `bool`s: null means no mask. Each byte must be 0 or 1
    /// (what C's `bool` holds), else [`GUMBEL_ERR_INVALID_MASK`](gumbel_status).
    ///
    /// # Safety
    /// As [`slice`](Self::slice).
    pub(crate) unsafe fn mask<'a>(
        &mut self,
        ptr: *const bool,
        len: usize,
    ) -> Result<Option<&'a [bool]>, gumbel_status> {
        if ptr.is_null() {
            return Ok(None);
        }
        // SAFETY: forwarded precondition, read as bytes first: any byte is a valid `u8`.
        let bytes = unsafe { self.slice(ptr.cast::<u8>(), len) }?;
        if bytes.iter().any(|&b| b > 1) {
            return Err(GUMBEL_ERR_INVALID_MASK);
        }
        const { assert!(size_of::<bool>() == 1 && align_of::<bool>() == 1) };
        // SAFETY: every byte is 0 or 1, the valid `bool` values, and `bool` has the size and
        // alignment of `u8`; the range was claimed above.
        Ok(Some(unsafe {
            slice::from_raw_parts(bytes.as_ptr().cast::<bool>(), bytes.len())
        }))
    }
}
