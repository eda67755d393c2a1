import { registry } from "@web/core/registry";

/**
 * Finance, last step of a refund: opens the request approved by the director, sets the
 * approved amount, approves and refunds, then follows the posted credit note.
 */
registry.category("web_tour.tours").add("training_attendance_refund", {
    url: "/odoo/action-training_attendance.training_refund_request_action",
    steps: () => [
        {
            content: "Open the request approved by the director from the list",
            trigger: ".o_data_row:contains('Tour Refund Student'):contains('Approved by director') td[name='student_id']",
            run: "click",
        },
        {
            content: "The form shows what may be refunded: 2,000 paid, 200 consumed",
            trigger: ".o_field_widget[name='amount_refundable']:contains('1,800.00')",
        },
        {
            content: "The approved amount is pre-filled with the refundable amount",
            trigger: ".o_training_refund_hint:not(:has(button[name='action_use_refundable_amount']))",
        },
        {
            content: "Finance approves less than the refundable amount",
            trigger: ".o_field_widget[name='amount_approved'] input",
            run: "edit 1500",
        },
        {
            content: "Approve and refund",
            trigger: ".o_statusbar_buttons button[name='action_finance_approve']",
            run: "click",
        },
        {
            content: "Confirm: a credit note will be posted and the enrolment withdrawn",
            trigger: ".modal:contains('A credit note for the approved amount will be posted') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The request is refunded",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Refunded')",
        },
        {
            trigger: ".o_form_view:not(:has(.o_statusbar_buttons button[name='action_finance_approve']))",
        },
        {
            content: "Open the credit note",
            trigger: ".o_form_view .o-form-buttonbox button[name='action_view_credit_note']",
            run: "click",
        },
        {
            content: "The posted credit note of Invoicing, for the approved amount",
            trigger: ".o_form_view .oe_title:contains('Customer Credit Note'):contains('RINV/')",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tour Guardian')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='tax_totals']:contains('1,500.00')",
        },
        {
            content: "The breadcrumb names the credit note",
            trigger: ".o_breadcrumb .active:contains('RINV/')",
        },
    ],
});
