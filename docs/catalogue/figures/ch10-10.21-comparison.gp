# made by workbook; re-plot with: gnuplot -p <this file>
set title 'ViT and CNN: held-out accuracy per epoch' noenhanced
set xlabel 'epoch' noenhanced
set ylabel 'held-out accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.1
6 0.1
EOD
plot $s0 using 1:2 with lines lw 2 title 'chance'
