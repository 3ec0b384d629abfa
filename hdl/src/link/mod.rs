//! The host link, hardware side: UART, frame receiver and sender, CRC, the command bridge and its counters.

pub mod bridge;
pub mod counter;
pub mod crc16;
pub mod framerx;
pub mod frametx;
pub mod uart;
