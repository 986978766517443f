// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BaselineToken: a plain OpenZeppelin ERC20, the "naive design" aidledger is measured against.
/// @notice One token transfer per redemption, one transaction each: what a team would build first.
/// Used only by benchmarks and the load generator, never by the ledger.
contract BaselineToken is ERC20 {
    constructor(address holder, uint256 supply) ERC20("Aid Voucher (baseline)", "AIDV") {
        _mint(holder, supply);
    }
}
