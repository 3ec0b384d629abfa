//! `cuba` in the golden model against Lava's bit-accurate LIF (`PyLifModelBitAcc`), transcribed
//! here from Lava's published numpy code, line for line, without calling `spec`'s model.
//! Networks are random, with recurrence, and with small `du` so that currents wrap.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spikemesh_sim::Golden;
use spikemesh_spec::{Mapping, Network};
use std::path::Path;

/// One neuron's parameters as Lava names them.
#[derive(Debug, Clone, Copy)]
struct Lava {
    du: i64,
    dv: i64,
    bias: i64,
    vth: i64,
}

/// `AbstractPyLifModelFixed.subthr_dynamics`, then `PyLifModelBitAcc.spiking_activation` and
/// the reset to 0, with Loihi's constants: 24-bit u and v, `ds_offset = 1`, `dm_offset = 0`,
/// 12-bit decays, and input and threshold shifted left by 6.
fn lava_step(p: &Lava, u: &mut i64, v: &mut i64, a_in: i64) -> bool {
    let (ds_offset, dm_offset, decay_shift, decay_unity) = (1, 0, 12, 1i64 << 12);
    let max_uv_val = 1i64 << 23;
    let (vth_shift, act_shift) = (6, 6);
    // np.sign(x) * np.right_shift(np.abs(x), decay_shift), then np.int32.
    let shifted = |x: i64| (x.signum() * (x.abs() >> decay_shift)) as i32 as i64;

    let decay_const_u = p.du + ds_offset;
    let mut decayed_curr = shifted(*u * (decay_unity - decay_const_u));
    decayed_curr += a_in << act_shift;
    let mut wrapped_curr = if decayed_curr > max_uv_val { decayed_curr - 2 * max_uv_val } else { decayed_curr };
    // Lava's second `np.where` adds to `decayed_curr`, not to `wrapped_curr`.
    wrapped_curr = if wrapped_curr <= -max_uv_val { decayed_curr + 2 * max_uv_val } else { wrapped_curr };
    *u = wrapped_curr;

    let decay_const_v = p.dv + dm_offset;
    let (neg_voltage_limit, pos_voltage_limit) = (-max_uv_val + 1, max_uv_val - 1);
    let decayed_volt = shifted(*v * (decay_unity - decay_const_v));
    let updated_volt = decayed_volt + *u + p.bias;
    *v = updated_volt.clamp(neg_voltage_limit, pos_voltage_limit);

    let spike = *v > p.vth << vth_shift;
    if spike {
        *v = 0;
    }
    spike
}

/// A network of three `cuba` populations with Lava-compatible settings and random
/// parameters, fed by 16 inputs and wired recurrently.
fn network(r: &mut ChaCha8Rng) -> (String, Vec<Lava>) {
    let mut text = String::from(
        "[hardware]\nboard = \"sim\"\nmesh = [3, 1]\nneurons_per_core = 16\naxons_per_core = 64\nweight_bits = 8\npotential_bits = 24\ncurrent_bits = 24\n\n[[population]]\nname = \"in\"\nsize = 16\ninput = true\n",
    );
    let mut pops = Vec::new();
    for i in 0..3 {
        // Small du lets the current grow until it wraps; the rest of the range decays it.
        let du = if i == 0 { r.gen_range(0..4) } else { r.gen_range(0..4096) };
        let p = Lava {
            du,
            dv: r.gen_range(0..4096),
            bias: r.gen_range(-4096..4096) << r.gen_range(0..4),
            vth: r.gen_range(1..(1 << 17)),
        };
        text += &format!(
            "\n[[population]]\nname = \"c{i}\"\nsize = 16\nrecord = true\nneuron = {{ model = \"cuba\", threshold = {}, du = {}, dv = {}, bias = {}, align_shift = 6 }}\n",
            p.vth, p.du, p.dv, p.bias
        );
        pops.push(p);
    }
    for (k, (from, to)) in
        [("in", "c0"), ("in", "c1"), ("in", "c2"), ("c0", "c1"), ("c1", "c2"), ("c2", "c0")].iter().enumerate()
    {
        // Positive input weights drive c0's slowly decaying current up until it wraps.
        let lo = if *to == "c0" && *from == "in" { 64 } else { -128 };
        text += &format!(
            "\n[[projection]]\nfrom = \"{from}\"\nto = \"{to}\"\nconnectivity = {{ random = 0.7, seed = {} }}\nweight = {{ uniform = [{lo}, 127], seed = {k} }}\n",
            r.gen::<u32>()
        );
    }
    (text, pops)
}

#[test]
fn golden_cuba_equals_lavas_bit_accurate_lif() {
    let (mut wraps, mut saturations, mut spikes) = (0, 0, 0);
    for seed in 0..24 {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        let (text, params) = network(&mut r);
        let net = Network::parse(Path::new("cuba.toml"), &text).unwrap_or_else(|e| panic!("{e}"));
        let m = Mapping::build(&net).expect("fits");
        let n = net.hardware.neurons_per_core;
        let mut gold = Golden::new(&m);
        // Lava's state per population (c0..c2 are populations 1..3).
        let mut u = vec![[0i64; 16]; 3];
        let mut v = vec![[0i64; 16]; 3];
        let mut prev = vec![[false; 16]; 4];
        let rate = r.gen_range(0.1..0.6);
        for t in 0..400 {
            // Lava's a_in: the weights of last timestep's spikes, from the network's synapse lists.
            let mut a_in = vec![[0i64; 16]; 4];
            for proj in &net.projections {
                for s in &proj.synapses {
                    if prev[proj.from][s.pre as usize] {
                        a_in[proj.to][s.post as usize] += s.weight as i64;
                    }
                }
            }
            let mut now = vec![[false; 16]; 4];
            let inputs: Vec<(u32, u32)> = (0..16).filter(|_| r.gen_bool(rate)).map(|k| (0, k)).collect();
            for &(_, k) in &inputs {
                now[0][k as usize] = true;
            }
            let fired: Vec<u32> = gold.step(&inputs).to_vec();
            for (pi, p) in params.iter().enumerate() {
                for k in 0..16 {
                    let before = u[pi][k] * (4096 - p.du - 1) / 4096 + (a_in[pi + 1][k] << 6);
                    let fire = lava_step(p, &mut u[pi][k], &mut v[pi][k], a_in[pi + 1][k]);
                    wraps += (u[pi][k] != before) as u32;
                    saturations += (v[pi][k].abs() == (1 << 23) - 1) as u32;
                    spikes += fire as u32;
                    now[pi + 1][k] = fire;
                    let g = m.slot_of(pi + 1, k).unwrap();
                    let st = gold.neuron(g / n, g % n);
                    let what = format!("seed {seed} t {t} population c{pi} neuron {k} {p:?}");
                    assert_eq!(fired.contains(&(g as u32)), fire, "spike: {what}");
                    assert_eq!((st.s[0], st.s[1]), (v[pi][k], u[pi][k]), "(v, u): {what}");
                }
            }
            prev = now;
        }
    }
    // The edges must have been reached, or the comparison proves little.
    assert!(wraps > 100, "currents wrapped {wraps} times");
    assert!(saturations > 100, "potentials saturated {saturations} times");
    assert!(spikes > 10_000, "{spikes} spikes");
}
