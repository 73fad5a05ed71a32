#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod binary;
pub mod categorical;
pub mod concrete;
pub mod conditional;
#[cfg(feature = "defmt")]
mod defmt;
pub mod distributions;
mod error;
pub mod estimators;
pub mod learner;
pub mod noise;
pub mod scalar;
#[cfg(feature = "tasks")]
pub mod tasks;
mod temperature;
pub mod topk;
mod validate;
#[cfg(feature = "vectors")]
pub mod vectors;

pub use error::Error;
#[cfg(feature = "fixed")]
pub use scalar::Fixed;
pub use scalar::Scalar;
pub use temperature::Temperature;
